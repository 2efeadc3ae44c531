import { Navigate, useParams } from 'react-router';
import { ErrorAlert } from '../../components/ErrorAlert/ErrorAlert';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { useSession } from '../../session/SessionContext';

/**
 * Where links in notifications and reminders land (/appointments/ID): the
 * patient's appointments page or the professional's calendar, with the
 * appointment open.
 */
export default function AppointmentLink() {
  const { appointmentId = '' } = useParams();
  const { role } = useSession();
  const open = `?open=${encodeURIComponent(appointmentId)}`;
  if (role === 'patient') return <Navigate to={`/appointments${open}`} replace />;
  if (role === 'nurse' || role === 'doctor') return <Navigate to={`/calendar${open}`} replace />;
  return (
    <>
      <PageHeader title="Appointment" />
      <ErrorAlert
        title="Open it from the patient’s page"
        error={
          new Error('Appointments you help with are on the page of the patient they are for, under Next appointments.')
        }
      />
    </>
  );
}
