import { Alert, TextField } from '@mui/material';
import { useEffect, useState } from 'react';
import { useClient } from 'urql';
import { RegistrationPolicyQuery } from '../../api/verificationOperations.ts';

export interface SignUpPolicy {
  mode: 'OPEN' | 'INVITE' | 'CLOSED';
  allowedDomains: string[];
}

/** The server's registration policy (public), or null until it is known (the form then assumes open). */
export function useRegistrationPolicy(): SignUpPolicy | null {
  const client = useClient();
  const [policy, setPolicy] = useState<SignUpPolicy | null>(null);
  useEffect(() => {
    let live = true;
    client
      .query(RegistrationPolicyQuery, {})
      .toPromise()
      .then((result) => {
        if (live && result.data) setPolicy(result.data.registrationPolicy);
      });
    return () => {
      live = false;
    };
  }, [client]);
  return policy;
}

/** What the sign-up form says about the policy: invitations only, allowed domains. */
export function SignUpPolicyNotice({ policy }: { policy: SignUpPolicy | null }) {
  if (!policy) return null;
  const domains = policy.allowedDomains.length > 0 ? ` Addresses at ${policy.allowedDomains.join(', ')} only.` : '';
  if (policy.mode === 'INVITE') {
    return (
      <Alert severity="info" sx={{ mb: 1 }} data-testid="signup-policy">
        Sign-up here is by invitation: use the address your invitation was sent to and the token from its email.{domains}
      </Alert>
    );
  }
  if (!domains) return null;
  return (
    <Alert severity="info" sx={{ mb: 1 }} data-testid="signup-policy">
      {domains.trim()}
    </Alert>
  );
}

/** The invitation token field, shown when the policy asks for one. */
export function InvitationTokenField({ policy, value, onChange }: { policy: SignUpPolicy | null; value: string; onChange: (value: string) => void }) {
  if (policy?.mode !== 'INVITE') return null;
  return (
    <TextField
      label="Invitation token"
      name="signup-invitation"
      helperText="From your invitation email (it starts with inv_)"
      value={value}
      onChange={(event) => onChange(event.target.value)}
      fullWidth
      required
      margin="dense"
    />
  );
}
