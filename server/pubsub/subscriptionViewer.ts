/**
 * Who a subscription event is delivered to, as of the moment it is delivered. A subscription can
 * outlive its subscriber's right to it: the access token expires, the user is deactivated, loses the
 * admin role or leaves a project. Every stream calls `viewerAtDelivery` for each event and applies
 * its own visibility rule to the viewer it returns.
 */
import { credentialFrom, resolveViewer } from '../services/authentication.ts';
import type { Context, Viewer } from '../context.ts';
import { unauthenticated } from '../errors.ts';

/** Set on the context of a subscription by the transport that knows the credential (see wsServer.ts). */
export interface ViewerRefresh {
  refreshViewer?: () => Promise<Viewer | null>;
}

/**
 * The subscriber re-resolved from their credential (UNAUTHENTICATED when it no longer checks out,
 * which ends the subscription with that error). The context's viewer is replaced, so the event's
 * own field resolvers judge by the same, current viewer.
 */
export async function viewerAtDelivery(context: Context): Promise<Viewer> {
  const { refreshViewer, request } = context as Context & ViewerRefresh & { request?: Request };
  let viewer: Viewer | null;
  if (refreshViewer) viewer = await refreshViewer();
  else if (request?.headers) {
    // A subscription over HTTP (server-sent events) keeps the credentials of its request.
    const headers = request.headers;
    viewer = await resolveViewer(context.deps, credentialFrom({ authorization: headers.get('authorization'), apiKey: headers.get('x-api-key') }), {
      streaming: true,
    });
  } else viewer = context.viewer;
  if (!viewer) throw unauthenticated();
  context.viewer = viewer;
  return viewer;
}
