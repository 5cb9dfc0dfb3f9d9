import { Link as MuiLink, Typography } from '@mui/material';
import { Link } from 'react-router-dom';

/** "Forgot password?" under the login form's password field. */
export function ForgotPasswordLink() {
  return (
    <Typography variant="body2" sx={{ textAlign: 'right' }}>
      <MuiLink component={Link} to="/forgot-password" underline="hover">
        Forgot password?
      </MuiLink>
    </Typography>
  );
}
