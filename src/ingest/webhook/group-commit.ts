import type { IncomingComment } from '../../domain/comment';
import type { SavedComment } from '../../store/comments.repository';
import { acceptComments, enqueueSaved, storeComments, toAccepted, type AcceptDeps, type AcceptedComment } from '../accept-comments';

export interface GroupCommitOptions {
  /** Comments one group may hold (requests are never split). */
  maxGroupComments?: number;
  /** Groups being written or enqueued at once; requests arriving meanwhile form the next group. */
  maxGroupsInFlight?: number;
}

interface Waiting {
  comments: IncomingComment[];
  resolve(accepted: AcceptedComment[]): void;
  reject(err: unknown): void;
}

/**
 * `acceptComments` for concurrent requests: the comments of the requests that arrive in the same
 * event-loop turn (or while earlier groups are busy) are stored together (`saveComments`: one read,
 * one write, one commit) and enqueued in one BullMQ call. Each request is still answered only after its own comments are stored and
 * enqueued, and with its own outcome: if the group's write fails, its requests are retried one
 * by one so a bad request cannot fail its neighbours; if the enqueue fails, every request of the
 * group gets the 503 it would have got alone (its comments are stored and will be swept).
 */
export function createGroupCommit(deps: AcceptDeps, options: GroupCommitOptions = {}) {
  const maxGroupComments = options.maxGroupComments ?? 256;
  const maxGroupsInFlight = options.maxGroupsInFlight ?? 4;
  const waiting: Waiting[] = [];
  let inFlight = 0;
  let scheduled = false;

  function schedule(): void {
    if (scheduled || inFlight >= maxGroupsInFlight || waiting.length === 0) return;
    scheduled = true;
    // setImmediate, not a timer: a group gathers what the current I/O phase delivered, no more waiting.
    setImmediate(startGroup);
  }

  function startGroup(): void {
    scheduled = false;
    const group = takeGroup();
    if (group.length === 0) return;
    inFlight += 1;
    void commitGroup(group).finally(() => {
      inFlight -= 1;
      schedule();
    });
    schedule();
  }

  function takeGroup(): Waiting[] {
    let comments = 0;
    let taken = 0;
    while (taken < waiting.length && (taken === 0 || comments + waiting[taken].comments.length <= maxGroupComments)) {
      comments += waiting[taken].comments.length;
      taken += 1;
    }
    return waiting.splice(0, taken);
  }

  async function commitGroup(group: Waiting[]): Promise<void> {
    if (group.length === 1) {
      await acceptComments(deps, group[0].comments).then(group[0].resolve, group[0].reject);
      return;
    }
    let saved: SavedComment[];
    try {
      saved = await storeComments(
        deps.db,
        group.flatMap((w) => w.comments),
      );
    } catch {
      await Promise.all(group.map((w) => acceptComments(deps, w.comments).then(w.resolve, w.reject)));
      return;
    }
    try {
      await enqueueSaved(deps, saved);
    } catch (err) {
      for (const w of group) w.reject(err);
      return;
    }
    let offset = 0;
    for (const w of group) {
      w.resolve(saved.slice(offset, offset + w.comments.length).map(toAccepted));
      offset += w.comments.length;
    }
  }

  return {
    accept(comments: IncomingComment[]): Promise<AcceptedComment[]> {
      return new Promise((resolve, reject) => {
        waiting.push({ comments, resolve, reject });
        schedule();
      });
    },
  };
}
