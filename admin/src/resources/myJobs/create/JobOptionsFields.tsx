// What a job is asked to do (createTranscriptionJob's options): engines (in the order to try them),
// model, language, diarization and translation. Empty fields are left to the server's defaults.
import { FormControlLabel, Grid, ListItemText, MenuItem, Switch, TextField } from '@mui/material';
import type { Provider } from '../../../gql/graphql.ts';
import type { JobOptions } from './uploads.ts';

export interface OptionsDraft {
  /** The engines to try, in the order picked; empty: the project's or the server's order. */
  providers: Provider[];
  model: string;
  language: string;
  diarize: boolean;
  translateTo: string;
}

export const EMPTY_OPTIONS: OptionsDraft = { providers: [], model: '', language: '', diarize: false, translateTo: '' };

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'LOCAL', label: 'Local engine (English, on this server)' },
  { value: 'OPENAI', label: 'OpenAI (needs a provider key)' },
  { value: 'DEEPGRAM', label: 'Deepgram (needs a provider key)' },
];

const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());

export function toJobOptions(draft: OptionsDraft): JobOptions {
  return {
    providers: draft.providers.length > 0 ? draft.providers : null,
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
        {/* Picked in order: MUI appends each newly picked engine at the end of the value. */}
        <TextField
          select
          label="Engines, in order"
          name="providers"
          value={value.providers}
          onChange={(event) => set('providers', event.target.value as unknown as Provider[])}
          slotProps={{
            select: {
              multiple: true,
              displayEmpty: true,
              renderValue: (selected) => {
                const picked = selected as Provider[];
                return picked.length === 0 ? "The project's or server's default" : picked.map((name, i) => `${i + 1}. ${name}`).join('  ');
              },
            },
            inputLabel: { shrink: true },
          }}
          helperText="Pick the first engine, then the ones to fall back to when it is unavailable or keeps failing"
          fullWidth
          disabled={disabled}
        >
          {PROVIDERS.map((provider) => {
            const position = value.providers.indexOf(provider.value);
            return (
              <MenuItem key={provider.value} value={provider.value} data-testid={`engine-${provider.value}`}>
                <ListItemText primary={position >= 0 ? `${position + 1}. ${provider.label}` : provider.label} />
              </MenuItem>
            );
          })}
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
