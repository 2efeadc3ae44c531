import { lazy, Suspense, type ComponentType, type ReactNode } from 'react';
import { Navigate, Route, Routes } from 'react-router';
import type { Role } from './api/types';
import { loadMyReadingsPage, loadPatientPage, type PageLoader } from './boot';
import { FullPageLoader, RequireAuth, RequireRole } from './components/Guards/Guards';
import { PrefetchRecord } from './components/PrefetchRecord/PrefetchRecord';
import { Shell } from './components/Shell/Shell';
import { useSession } from './session/SessionContext';
import { roleHome } from './session/roles';

/**
 * A lazy page that boot may already have loaded: then it renders at once,
 * without suspending (React holds back a suspended page's reveal a while).
 */
function preloadedPage(load: PageLoader): ComponentType {
  const Lazy = lazy(load);
  return function Page() {
    const Loaded = load.loaded();
    return Loaded ? <Loaded /> : <Lazy />;
  };
}

// Each page's own code is its own chunk; what pages share comes with the app (see vite.config.ts).
const LoginPage = lazy(() => import('./pages/Login/Login').then((m) => ({ default: m.Login })));
const UsersPage = lazy(() => import('./pages/Users/Users'));
const UserCreatePage = lazy(() => import('./pages/UserCreate/UserCreate'));
const UserEditPage = lazy(() => import('./pages/UserEdit/UserEdit'));
const AuditPage = lazy(() => import('./pages/Audit/Audit'));
const PatientsHomePage = lazy(() => import('./pages/Dashboard/Dashboard'));
const PatientPage = preloadedPage(loadPatientPage);
const SharingPage = lazy(() => import('./pages/Sharing/Sharing'));
const AccessLogPage = lazy(() => import('./pages/AccessLog/AccessLog'));
const ApiTokensPage = lazy(() => import('./pages/ApiTokens/ApiTokens'));
const ChangePasswordPage = lazy(() => import('./pages/ChangePassword/ChangePassword'));
const NotFoundPage = lazy(() => import('./pages/NotFound/NotFound'));
const DevicesPage = lazy(() => import('./pages/Devices/Devices'));
const DeviceCreatePage = lazy(() => import('./pages/DeviceCreate/DeviceCreate'));
const DevicePage = lazy(() => import('./pages/Device/Device'));
const MyReadingsPage = preloadedPage(loadMyReadingsPage);
const AppointmentsPage = lazy(() => import('./pages/Appointments/Appointments'));
const AlertsPage = lazy(() => import('./pages/Alerts/Alerts'));
const AlertDetailPage = lazy(() => import('./pages/AlertDetail/AlertDetail'));
const NotificationSettingsPage = lazy(() => import('./pages/NotificationSettings/NotificationSettings'));
const AppointmentLinkPage = lazy(() => import('./pages/AppointmentLink/AppointmentLink'));
const CalendarPage = lazy(() => import('./pages/Calendar/Calendar'));
const MyHoursPage = lazy(() => import('./pages/MyHours/MyHours'));

function Home() {
  const { role } = useSession();
  return <Navigate to={roleHome(role)} replace />;
}

function page(el: ReactNode, roles?: Role[]) {
  const body = <Suspense fallback={<FullPageLoader inline />}>{el}</Suspense>;
  return roles ? <RequireRole roles={roles}>{body}</RequireRole> : body;
}

const PROS: Role[] = ['nurse', 'doctor', 'family'];

export function AppRoutes() {
  return (
    <Routes>
      <Route
        path="/login"
        element={
          <Suspense fallback={<FullPageLoader />}>
            <LoginPage />
          </Suspense>
        }
      />
      <Route
        element={
          <RequireAuth>
            <Shell />
          </RequireAuth>
        }
      >
        <Route index element={<Home />} />
        <Route path="admin/users" element={page(<UsersPage />, ['admin'])} />
        <Route path="admin/users/new" element={page(<UserCreatePage />, ['admin'])} />
        <Route path="admin/users/:userId" element={page(<UserEditPage />, ['admin'])} />
        <Route path="admin/audit" element={page(<AuditPage />, ['admin'])} />
        <Route path="admin/devices" element={page(<DevicesPage />, ['admin'])} />
        <Route path="admin/devices/new" element={page(<DeviceCreatePage />, ['admin'])} />
        <Route path="admin/devices/:deviceId" element={page(<DevicePage />, ['admin'])} />
        <Route path="patients" element={page(<PatientsHomePage />, PROS)} />
        <Route
          path="patients/:patientId"
          element={
            <>
              <PrefetchRecord />
              {page(<PatientPage />, [...PROS, 'patient'])}
            </>
          }
        />
        <Route
          path="my-readings"
          element={
            <>
              <PrefetchRecord self />
              {page(<MyReadingsPage />, ['patient'])}
            </>
          }
        />
        <Route path="appointments" element={page(<AppointmentsPage />, ['patient'])} />
        <Route path="alerts" element={page(<AlertsPage />, ['nurse', 'doctor'])} />
        <Route path="patients/:patientId/alerts/:alertId" element={page(<AlertDetailPage />, [...PROS, 'patient'])} />
        <Route path="appointments/:appointmentId" element={page(<AppointmentLinkPage />)} />
        <Route path="calendar" element={page(<CalendarPage />, ['nurse', 'doctor'])} />
        <Route path="hours" element={page(<MyHoursPage />, ['nurse', 'doctor'])} />
        <Route path="today" element={<Navigate to="/my-readings" replace />} />
        <Route path="medications" element={<Navigate to="/my-readings" replace />} />
        <Route path="sharing" element={page(<SharingPage />, ['patient'])} />
        <Route path="access-log" element={page(<AccessLogPage />, ['patient'])} />
        <Route path="notifications" element={page(<NotificationSettingsPage />)} />
        <Route path="tokens" element={page(<ApiTokensPage />)} />
        <Route path="password" element={page(<ChangePasswordPage />)} />
        <Route path="*" element={page(<NotFoundPage />)} />
      </Route>
    </Routes>
  );
}
