// A project's vocabulary sets on its page; OWNERs and ADMINs change them and pick the defaults.
import { useRecordContext } from 'react-admin';
import { VocabularySetsManager } from './VocabularySetsManager.tsx';

export function ProjectVocabularyPanel(_props: { label?: string | false }) {
  const record = useRecordContext();
  if (!record) return null;
  const role = record.viewerRole as string | null;
  return <VocabularySetsManager projectId={String(record.id)} canEdit={role === 'OWNER' || role === 'ADMIN'} />;
}
