/** Two OC accounts on a mock OI, and the `sav-ftth run --role oc` flags that certify it with both. */

export const OC_A = { login: 'oc-a', password: 'oc-a-password', siren: '380129866' };
export const OC_B = { login: 'oc-b', password: 'oc-b-password', siren: '421938861' };

/** `--role oc --target <target>` as OC_A, OC_B being the other OC (cross-OC scenarios). */
export const ocRoleArgs = (target: string, oiSiren: string): string[] => [
  '--role',
  'oc',
  '--target',
  target,
  '--login',
  OC_A.login,
  '--password',
  OC_A.password,
  '--oc-siren',
  OC_A.siren,
  '--oi-siren',
  oiSiren,
  '--other-login',
  OC_B.login,
  '--other-password',
  OC_B.password,
  '--other-oc-siren',
  OC_B.siren,
];
