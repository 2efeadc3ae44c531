import { Paper } from '@mantine/core';
import { useNavigate } from 'react-router';
import { useCreateUser } from '../../api/users';
import { BackLink } from '../../components/BackLink/BackLink';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { UserForm } from '../../components/UserForm/UserForm';

export default function UserCreate() {
  const create = useCreateUser();
  const navigate = useNavigate();

  return (
    <>
      <PageHeader
        above={<BackLink to="/admin/users">All users</BackLink>}
        title="Add user"
        description="Create an account. The person signs in with this email and the initial password you give them."
      />
      <Paper withBorder p={{ base: 'md', sm: 'xl' }}>
        <UserForm
          mode="create"
          submitLabel="Add user"
          submitting={create.isPending}
          error={create.error}
          onCancel={() => navigate('/admin/users')}
          onSubmit={(v) =>
            create.mutate(
              {
                email: v.email,
                name: v.name,
                roles: v.roles,
                password: v.password,
                ...(v.roles.includes('patient') ? { profile: v.profile } : {}),
              },
              {
                onSuccess: (user) =>
                  navigate(`/admin/users/${encodeURIComponent(user.id)}`, { state: { created: true } }),
              },
            )
          }
        />
      </Paper>
    </>
  );
}
