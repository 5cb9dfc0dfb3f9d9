// What a job is asked to do (createTranscriptionJob's options): engine, model, language,
// diarization and translation. Empty fields are left to the server's defaults.
import { FormControlLabel, Grid, MenuItem, Switch, TextField } from '@mui/material';
import type { Provider } from '../../../gql/graphql.ts';
import type { JobOptions } from './uploads.ts';

export interface OptionsDraft {
  /** 'DEFAULT': the server's default engine (a value of its own, so the field shows it). */
  provider: Provider | 'DEFAULT';
  model: string;
  language: string;
  diarize: boolean;
  translateTo: string;
}

export const EMPTY_OPTIONS: OptionsDraft = { provider: 'DEFAULT', model: '', language: '', diarize: false, translateTo: '' };

const PROVIDERS: { value: OptionsDraft['provider']; label: string }[] = [
  { value: 'DEFAULT', label: "The server's default" },
  { value: 'LOCAL', label: 'Local engine (English, on this server)' },
  { value: 'OPENAI', label: 'OpenAI (needs a provider key)' },
  { value: 'DEEPGRAM', label: 'Deepgram (needs a provider key)' },
];

const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());

export function toJobOptions(draft: OptionsDraft): JobOptions {
  return {
    provider: draft.provider === 'DEFAULT' ? null : draft.provider,
    model: blankToNull(draft.model),
    language: blankToNull(draft.language),
    diarize: draft.diarize,
    translateTo: blankToNull(draft.translateTo),
  };
}

export function JobOptionsFields({ value, onChange, disabled }: { value: OptionsDraft; onChange: (next: OptionsDraft) => void; disabled?: boolean }) {
  const set = <K extends keyof OptionsDraft>(key: K, next: OptionsDraft[K]) => onChange({ ...value, [key]: next });
  return (
    <Grid container spacing={2}>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          select
          label="Engine"
          name="provider"
          value={value.provider}
          onChange={(event) => set('provider', event.target.value as OptionsDraft['provider'])}
          fullWidth
          disabled={disabled}
        >
          {PROVIDERS.map((provider) => (
            <MenuItem key={provider.value} value={provider.value}>
              {provider.label}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Model"
          name="model"
          value={value.model}
          onChange={(event) => set('model', event.target.value)}
          helperText="Optional: the engine's default when empty"
          fullWidth
          disabled={disabled}
        />
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Language"
          name="language"
          value={value.language}
          onChange={(event) => set('language', event.target.value)}
          helperText="A language code such as en or de; empty: detected"
          fullWidth
          disabled={disabled}
        />
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          label="Translate to"
          name="translateTo"
          value={value.translateTo}
          onChange={(event) => set('translateTo', event.target.value)}
          helperText="Optional language code (needs an OpenAI provider key)"
          fullWidth
          disabled={disabled}
        />
      </Grid>
      <Grid size={12}>
        <FormControlLabel
          control={<Switch checked={value.diarize} onChange={(event) => set('diarize', event.target.checked)} name="diarize" disabled={disabled} />}
          label="Tell speakers apart (diarization)"
        />
      </Grid>
    </Grid>
  );
}
