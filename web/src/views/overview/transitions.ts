/** One-line descriptions of runtime transitions, shared by the cards that list them. */
import { statePath } from '../../format.js';
import type { Transition } from '../../types.js';

/** "connection: open → connecting.backoff" */
export const describeTransition = (t: Transition): string =>
  `${t.actor}: ${t.from.map(statePath).join(', ')} → ${t.to.map(statePath).join(', ')}`;

/** "open → connecting.backoff" */
export const describeMove = (t: Transition): string => `${t.from.map(statePath).join(', ')} → ${t.to.map(statePath).join(', ')}`;
