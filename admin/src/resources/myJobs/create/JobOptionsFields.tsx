// What a job is asked to do (createTranscriptionJob's options): engines (in the order to try them),
// model, language, diarization, translation (and its engine), sentiment and a summary. Empty fields are left to
// the server's defaults.
import { FormControlLabel, Grid, ListItemText, MenuItem, Switch, TextField } from '@mui/material';
import type { Provider, RedactionKind, TranslationEngine } from '../../../gql/graphql.ts';
import { RedactionChoices } from '../../redaction/RedactionChoices.tsx';
import { EMPTY_VOCABULARY, VocabularyChoices, vocabularyInput, type VocabularyDraft } from '../../vocabulary/VocabularyChoices.tsx';
import type { JobOptions } from './uploads.ts';

export interface OptionsDraft {
  /** The engines to try, in the order picked; empty: the project's or the server's order. */
  providers: Provider[];
  model: string;
  language: string;
  diarize: boolean;
  translateTo: string;
  /** '' : the server's TRANSLATION_ENGINE. */
  translationEngine: TranslationEngine | '';
  sentiment: boolean;
  /** A summary with key points and action items (README, "Summaries and questions"). */
  summarize: boolean;
  /** Kinds to redact (README, "Redaction"). */
  redact: RedactionKind[];
  /** Vocabulary sets and context prompt (README, "Vocabulary and context"). */
  vocabulary: VocabularyDraft;
}

export const EMPTY_OPTIONS: OptionsDraft = {
  providers: [],
  model: '',
  language: '',
  diarize: false,
  translateTo: '',
  translationEngine: '',
  sentiment: false,
  summarize: false,
  redact: [],
  vocabulary: EMPTY_VOCABULARY,
};

const PROVIDERS: { value: Provider; label: string }[] = [
  { value: 'LOCAL', label: 'Local engine (English, on this server)' },
  { value: 'OPENAI', label: 'OpenAI (needs a provider key)' },
  { value: 'DEEPGRAM', label: 'Deepgram (needs a provider key)' },
  { value: 'ASSEMBLYAI', label: 'AssemblyAI (needs a provider key)' },
];

const TRANSLATION_ENGINES: { value: TranslationEngine | ''; label: string }[] = [
  { value: '', label: "The server's default" },
  { value: 'CHAT', label: 'Chat model (OpenAI or the configured chat server)' },
  { value: 'GOOGLE', label: 'Google Cloud Translation (needs a Google key)' },
];

const blankToNull = (value: string) => (value.trim() === '' ? null : value.trim());

export function toJobOptions(draft: OptionsDraft): JobOptions {
  const translateTo = blankToNull(draft.translateTo);
  return {
    providers: draft.providers.length > 0 ? draft.providers : null,
    model: blankToNull(draft.model),
    language: blankToNull(draft.language),
    diarize: draft.diarize,
    translateTo,
    // The server refuses an engine without a target language, so it goes only with one.
    ...(translateTo && draft.translationEngine ? { translationEngine: draft.translationEngine } : {}),
    ...(draft.sentiment ? { sentiment: true } : {}),
    ...(draft.summarize ? { summarize: true } : {}),
    ...(draft.redact.length > 0 ? { redact: draft.redact } : {}),
    ...vocabularyInput(draft.vocabulary),
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
          helperText="Optional language code (needs an OpenAI or Google key, per the engine)"
          fullWidth
          disabled={disabled}
        />
      </Grid>
      <Grid size={{ xs: 12, sm: 6 }}>
        <TextField
          select
          label="Translation engine"
          name="translationEngine"
          value={value.translationEngine}
          onChange={(event) => set('translationEngine', event.target.value as TranslationEngine | '')}
          slotProps={{ select: { displayEmpty: true }, inputLabel: { shrink: true } }}
          helperText={value.translateTo.trim() ? 'Which service translates' : 'Used with "Translate to"'}
          fullWidth
          disabled={disabled || value.translateTo.trim() === ''}
        >
          {TRANSLATION_ENGINES.map((engine) => (
            <MenuItem key={engine.value || 'default'} value={engine.value} data-testid={`translation-engine-${engine.value || 'default'}`}>
              {engine.label}
            </MenuItem>
          ))}
        </TextField>
      </Grid>
      <Grid size={12}>
        <FormControlLabel
          control={<Switch checked={value.diarize} onChange={(event) => set('diarize', event.target.checked)} name="diarize" disabled={disabled} />}
          label="Tell speakers apart (diarization)"
        />
        <FormControlLabel
          control={<Switch checked={value.sentiment} onChange={(event) => set('sentiment', event.target.checked)} name="sentiment" disabled={disabled} />}
          label="Sentiment (per segment and overall)"
        />
        <FormControlLabel
          control={<Switch checked={value.summarize} onChange={(event) => set('summarize', event.target.checked)} name="summarize" disabled={disabled} />}
          label="Summary (key points and action items)"
        />
      </Grid>
      <Grid size={12}>
        <RedactionChoices value={value.redact} onChange={(next) => set('redact', next)} disabled={disabled} />
      </Grid>
      <Grid size={12}>
        <VocabularyChoices value={value.vocabulary} onChange={(next) => set('vocabulary', next)} disabled={disabled} />
      </Grid>
    </Grid>
  );
}
