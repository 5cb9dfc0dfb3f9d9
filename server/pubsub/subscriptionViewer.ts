/**
 * Who a subscription event is delivered to, as of the moment it is delivered. A subscription can
 * outlive its subscriber's right to it: the access token expires, the user is deactivated, loses the
 * admin role or leaves a project. Every stream calls `viewerAtDelivery` for each event and applies
 * its own visibility rule to the viewer it returns. Given the event, the check is made once for all
 * of its subscribers with the same credential (eventShare.ts), never reused for a later event.
 */
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import type { Context, Viewer } from '../context.ts';
import { unauthenticated } from '../errors.ts';
import { sharedForEvent } from './eventShare.ts';

/** Set on the context of a subscription by the transport that knows the credential (see wsServer.ts). */
export interface ViewerRefresh {
  /** Who the credential behind refreshViewer is, as a key: equal keys resolve to the same viewer. */
  credentialKey?: string;
  /** `event`: the event being delivered; its subscribers holding the same credential share one check. */
  refreshViewer?: (event?: object) => Promise<Viewer | null>;
}

/**
 * The subscriber re-resolved from their credential (UNAUTHENTICATED when it no longer checks out,
 * which ends the subscription with that error). The context's viewer is replaced, so the event's
 * own field resolvers judge by the same, current viewer.
 */
export async function viewerAtDelivery(context: Context, event?: object): Promise<Viewer> {
  const { refreshViewer, request } = context as Context & ViewerRefresh & { request?: Request };
  let viewer: Viewer | null;
  if (refreshViewer) viewer = await refreshViewer(event);
  else if (request?.headers) {
    // A subscription over HTTP (server-sent events) keeps the credentials of its request.
    const headers = request.headers;
    const credential = credentialFrom({ authorization: headers.get('authorization'), apiKey: headers.get('x-api-key') });
    const check = () => resolveViewer(context.deps, credential, { streaming: true });
    viewer = await (event ? sharedForEvent(event, `viewer:${credential ?? ''}`, check) : check());
  } else viewer = context.viewer;
  if (!viewer) throw unauthenticated();
  context.viewer = viewer;
  return viewer;
}

/**
 * A stream's own visibility rule for one event, given the subscriber as of now (viewerAtDelivery):
 * run once for all of the event's subscribers holding the same credential, who would each reach
 * the same answer at the same moment. `rule` names the rule and everything it depends on besides
 * the viewer and the event. Each subscriber's context gets the current viewer.
 */
export async function decideAtDelivery<T>(context: Context, event: object, rule: string, decide: (viewer: Viewer) => Promise<T>): Promise<T> {
  const key = credentialKeyOf(context);
  const decideNow = async () => {
    const viewer = await viewerAtDelivery(context, event);
    return { viewer, decision: await decide(viewer) };
  };
  const { viewer, decision } = await (key === null ? decideNow() : sharedForEvent(event, `decision:${rule}:${key}`, decideNow));
  context.viewer = viewer;
  return decision;
}

function credentialKeyOf(context: Context): string | null {
  const { refreshViewer, credentialKey, request } = context as Context & ViewerRefresh & { request?: Request };
  if (refreshViewer) return credentialKey ?? null;
  if (request?.headers) return JSON.stringify([request.headers.get('authorization'), request.headers.get('x-api-key')]);
  return null;
}
