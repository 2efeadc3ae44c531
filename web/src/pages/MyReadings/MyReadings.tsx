import { usePatient } from '../../api/patients';
import { MyToday } from '../../components/MyToday/MyToday';
import { PageHeader } from '../../components/PageHeader/PageHeader';
import { PatientRecord } from '../../components/PatientRecord/PatientRecord';
import { QueryState } from '../../components/QueryState/QueryState';
import { useSession } from '../../session/SessionContext';

/** A patient's own readings, charts, manual entry, journal and devices. */
export default function MyReadings() {
  const { me } = useSession();
  const patient = usePatient(me.id);
  return (
    <>
      <PageHeader
        title="My readings"
        description="Your measurements from your devices and the ones you enter, your journal, and how they are going."
      />
      <MyToday />
      <QueryState query={patient} what="your readings">
        {(p) => <PatientRecord p={{ ...p, access: 'self' }} />}
      </QueryState>
    </>
  );
}
