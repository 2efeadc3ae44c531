import { ActionIcon, AppShell, Avatar, Burger, Button, Container, Group, NavLink, Text, Tooltip } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useEffect, type ReactNode } from 'react';
import { Link, Outlet, useLocation, useNavigate } from 'react-router';
import { useLogout } from '../../api/auth';
import type { Role } from '../../api/types';
import { useSession } from '../../session/SessionContext';
import { ROLE_LABELS } from '../../session/roles';
import { AlertsNavCount } from '../AlertsNavCount/AlertsNavCount';
import { NotificationBell } from '../NotificationBell/NotificationBell';
import {
  IconAlert,
  IconBell,
  IconDevice,
  IconEye,
  IconKey,
  IconList,
  IconLock,
  IconLogout,
  IconPulse,
  IconShare,
  IconUsers,
} from '../Icons/Icons';
import { IconCalendar, IconClock } from '../Appointments/Bits';
import { RoleSwitcher } from '../RoleSwitcher/RoleSwitcher';

interface NavItem {
  to: string;
  label: string;
  icon: ReactNode;
  right?: ReactNode;
}

function navFor(role: Role | null): NavItem[] {
  switch (role) {
    case 'admin':
      return [
        { to: '/admin/users', label: 'Users', icon: <IconUsers /> },
        { to: '/admin/devices', label: 'Devices', icon: <IconDevice /> },
        { to: '/admin/audit', label: 'Audit log', icon: <IconList /> },
      ];
    case 'doctor':
    case 'nurse':
      return [
        { to: '/patients', label: 'My patients', icon: <IconUsers /> },
        { to: '/alerts', label: 'Alerts', icon: <IconAlert />, right: <AlertsNavCount /> },
        { to: '/calendar', label: 'Calendar', icon: <IconCalendar /> },
        { to: '/hours', label: 'My hours', icon: <IconClock /> },
      ];
    case 'family':
      return [{ to: '/patients', label: 'Family', icon: <IconUsers /> }];
    case 'patient':
      return [
        { to: '/my-readings', label: 'My readings', icon: <IconPulse /> },
        { to: '/appointments', label: 'Appointments', icon: <IconCalendar /> },
        { to: '/sharing', label: 'Sharing', icon: <IconShare /> },
        { to: '/access-log', label: 'Who accessed my data', icon: <IconEye /> },
      ];
    default:
      return [];
  }
}

const ACCOUNT_NAV: NavItem[] = [
  { to: '/notifications', label: 'Notifications', icon: <IconBell /> },
  { to: '/tokens', label: 'API tokens', icon: <IconKey /> },
  { to: '/password', label: 'Change password', icon: <IconLock /> },
];

function initials(name: string): string {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts.length > 1 ? (parts[parts.length - 1]?.[0] ?? '') : '')).toUpperCase() || '?';
}

/** The frame around every signed-in page: header with who and which role, navigation for that role. */
export function Shell() {
  const { me, role } = useSession();
  const [opened, { toggle, close }] = useDisclosure(false);
  const location = useLocation();
  const navigate = useNavigate();
  const logout = useLogout();

  // A new page starts at its top, and on a phone the menu closes once a page is picked.
  useEffect(() => {
    close();
    window.scrollTo(0, 0);
  }, [location.pathname, close]);

  const isActive = (to: string) => location.pathname === to || location.pathname.startsWith(`${to}/`);
  const links = (items: NavItem[]) =>
    items.map((item) => (
      <NavLink
        key={item.to}
        component={Link}
        to={item.to}
        label={item.label}
        leftSection={item.icon}
        rightSection={item.right}
        active={isActive(item.to)}
        aria-current={isActive(item.to) ? 'page' : undefined}
        variant="light"
        style={{ borderRadius: 'var(--mantine-radius-md)' }}
      />
    ));

  const onLogout = () => logout.mutate(undefined, { onSettled: () => navigate('/login', { replace: true }) });

  return (
    <AppShell
      header={{ height: 60 }}
      navbar={{ width: 250, breakpoint: 'sm', collapsed: { mobile: !opened } }}
      padding={{ base: 'md', sm: 'xl' }}
    >
      <a href="#main" className="skip-link">
        Skip to content
      </a>
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between" wrap="nowrap" gap="sm">
          <Group gap="sm" wrap="nowrap">
            <Burger
              opened={opened}
              onClick={toggle}
              hiddenFrom="sm"
              size="sm"
              aria-label={opened ? 'Close navigation' : 'Open navigation'}
            />
            <Group
              gap={8}
              wrap="nowrap"
              renderRoot={(props) => <Link to="/" aria-label="Tend home" {...props} />}
              style={{ textDecoration: 'none', color: 'inherit' }}
            >
              <IconPulse size={26} color="var(--mantine-color-cyan-8)" strokeWidth={2.4} />
              <Text fw={750} fz={20} c="cyan.9" style={{ letterSpacing: '-0.02em' }}>
                Tend
              </Text>
            </Group>
          </Group>
          <Group gap="sm" wrap="nowrap">
            <NotificationBell />
            <RoleSwitcher />
            <Group gap={8} wrap="nowrap" visibleFrom="sm">
              <Avatar size={32} radius="xl" color="cyan" variant="light">
                {initials(me.name)}
              </Avatar>
              <div style={{ lineHeight: 1.15 }}>
                <Text size="sm" fw={600} data-testid="user-name">
                  {me.name}
                </Text>
                {me.roles.length === 1 && role && (
                  <Text size="xs" c="dimmed">
                    {ROLE_LABELS[role]}
                  </Text>
                )}
              </div>
            </Group>
            <Button
              variant="default"
              size="xs"
              leftSection={<IconLogout size={16} />}
              onClick={onLogout}
              loading={logout.isPending}
              visibleFrom="sm"
            >
              Log out
            </Button>
            <Tooltip label="Log out">
              <ActionIcon
                variant="default"
                size="lg"
                aria-label="Log out"
                onClick={onLogout}
                hiddenFrom="sm"
                loading={logout.isPending}
              >
                <IconLogout size={18} />
              </ActionIcon>
            </Tooltip>
          </Group>
        </Group>
      </AppShell.Header>

      <AppShell.Navbar p="sm" aria-label="Main navigation">
        <AppShell.Section hiddenFrom="sm" mb="sm" px="xs">
          <Text size="sm" fw={600}>
            {me.name}
          </Text>
          <Text size="xs" c="dimmed">
            {me.email}
          </Text>
        </AppShell.Section>
        {/* Native scrolling: Mantine's ScrollArea was 35 KB of a first visit's code for a list of links. */}
        <AppShell.Section grow mih={0} style={{ overflowY: 'auto' }}>
          {links(navFor(role))}
        </AppShell.Section>
        <AppShell.Section>
          <Text size="xs" fw={600} c="dimmed" tt="uppercase" px="sm" mb={4}>
            Account
          </Text>
          {links(ACCOUNT_NAV)}
        </AppShell.Section>
      </AppShell.Navbar>

      <AppShell.Main id="main" tabIndex={-1} style={{ outline: 'none' }}>
        <Container size="lg" px={0}>
          <Outlet />
        </Container>
      </AppShell.Main>
    </AppShell>
  );
}
