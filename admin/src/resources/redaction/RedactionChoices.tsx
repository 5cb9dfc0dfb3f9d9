// The new-job form's redaction choices: which kinds to redact from what others read (redact).
import { Checkbox, FormControlLabel, FormGroup, FormHelperText, FormLabel } from '@mui/material';
import type { RedactionKind } from '../../gql/graphql.ts';
import { REDACTION_KINDS, toggledKinds } from './kinds.ts';

export function RedactionChoices({
  value,
  onChange,
  disabled,
}: {
  value: RedactionKind[];
  onChange: (next: RedactionKind[]) => void;
  disabled?: boolean;
}) {
  return (
    <fieldset style={{ border: 0, margin: 0, padding: 0 }} data-testid="redaction-choices">
      <FormLabel component="legend">Redact</FormLabel>
      <FormGroup row>
        {REDACTION_KINDS.map((kind) => (
          <FormControlLabel
            key={kind.value}
            label={kind.label}
            control={
              <Checkbox
                name={`redact-${kind.value}`}
                checked={value.includes(kind.value)}
                onChange={(event) => onChange(toggledKinds(value, kind.value, event.target.checked))}
                disabled={disabled}
              />
            }
          />
        ))}
      </FormGroup>
      <FormHelperText>
        Others see these replaced (and hear them silenced); you keep the original. A project&apos;s policy may add more.
      </FormHelperText>
    </fieldset>
  );
}
