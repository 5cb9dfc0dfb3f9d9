// What the viewer's project role lets them do here: the server's projectPermissions table
// (server/services/projectAccess.ts), restated only to decide which controls to offer. The API
// decides; a refused call shows its message.
export type ProjectRole = 'OWNER' | 'ADMIN' | 'CONTRIBUTOR' | 'REVIEWER';

export const PROJECT_ROLES: readonly ProjectRole[] = ['OWNER', 'ADMIN', 'REVIEWER', 'CONTRIBUTOR'];

const allowed = {
  manageMembers: ['OWNER', 'ADMIN'],
  managePrompts: ['OWNER', 'ADMIN'],
  review: ['OWNER', 'ADMIN', 'REVIEWER'],
  /** Read prompts aloud on the Record screen. */
  record: ['OWNER', 'ADMIN', 'CONTRIBUTOR'],
  export: ['OWNER', 'ADMIN'],
} as const satisfies Record<string, readonly ProjectRole[]>;

export function roleMay(role: string | null | undefined, action: keyof typeof allowed): boolean {
  return !!role && (allowed[action] as readonly string[]).includes(role);
}

/** Only an OWNER touches OWNERs (invites, promotes to, demotes, removes them). */
export function mayTouchMember(viewerRole: string | null | undefined, memberRole: string): boolean {
  return roleMay(viewerRole, 'manageMembers') && (memberRole !== 'OWNER' || viewerRole === 'OWNER');
}

/** The roles the viewer may give: OWNER only by an OWNER. */
export function grantableRoles(viewerRole: string | null | undefined): ProjectRole[] {
  return PROJECT_ROLES.filter((role) => role !== 'OWNER' || viewerRole === 'OWNER');
}
