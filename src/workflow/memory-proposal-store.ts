// The ProposalStore in memory (CLI, tests): the same transitions and at-most-once rules as the Redis one.
import {
  MUTABLE_FIELDS,
  ProposalRecord,
  type ProposalState,
  type StoredProposal,
} from './proposal-record.js';
import {
  StoreError,
  StoreErrorCode,
  fieldPairs,
  type ApprovalResult,
  type ProposalStore,
  type TransitionResult,
} from './proposal-store.js';
import { decodeRecord, encodeRecord } from './proposal-record.js';

/** Records kept as the same string hash Redis holds, so both stores decode through one function. */
export function createMemoryProposalStore(): ProposalStore {
  const hashes = new Map<string, Record<string, string>>();
  const read = (id: string): StoredProposal | null => {
    const h = hashes.get(id);
    return h ? decodeRecord(h) : null;
  };
  return {
    async save(record, now = Date.now()) {
      const created = !hashes.has(record.id);
      if (created) hashes.set(record.id, encodeRecord(ProposalRecord.parse(record), now));
      return { created, record: read(record.id)! };
    },

    async get(id) {
      return read(id);
    },

    // Synchronous from the read to the write: nothing else runs in between, as inside a Lua script.
    async transition(id, req): Promise<TransitionResult> {
      const h = hashes.get(id);
      if (!h) return { kind: 'missing' };
      const previous = h.state as ProposalState;
      if (!req.from.includes(previous)) return { kind: 'conflict', record: decodeRecord(h)! };
      const now = req.now ?? Date.now();
      if (req.honourExpiry && now > Number(h.expiresAt ?? 0)) {
        Object.assign(h, { state: 'expired', updatedAt: String(now), decidedAt: String(now) });
        return { kind: 'expired', record: decodeRecord(h)!, previous };
      }
      Object.assign(h, { state: req.to, updatedAt: String(now) });
      for (const [f, v] of fieldPairs(req.fields, MUTABLE_FIELDS)) h[f] = v;
      return { kind: 'ok', record: decodeRecord(h)!, previous };
    },

    // The same rules, in the same order, as the Redis script.
    async recordApproval(id, approval, rule): Promise<ApprovalResult> {
      const h = hashes.get(id);
      if (!h) return { kind: 'missing' };
      const record = decodeRecord(h)!;
      if (h.state !== 'proposed') return { kind: 'conflict', record };
      if (rule.now > Number(h.expiresAt ?? 0)) {
        Object.assign(h, { state: 'expired', updatedAt: String(rule.now), decidedAt: String(rule.now) });
        return { kind: 'expired', record: decodeRecord(h)! };
      }
      if (rule.refuse.includes(approval.by)) return { kind: 'refused', record };
      if (record.approvals.some((a) => a.by === approval.by)) return { kind: 'duplicate', record };
      const approvals = [...record.approvals, approval];
      h.approvals = JSON.stringify(approvals);
      h.updatedAt = String(rule.now);
      if (approvals.length < rule.needed) return { kind: 'recorded', record: decodeRecord(h)! };
      Object.assign(h, { state: 'approved', decidedBy: approval.by, decidedAt: String(rule.now) });
      return { kind: 'approved', record: decodeRecord(h)! };
    },

    async attachMessage(id, ts) {
      const h = hashes.get(id);
      if (!h) throw new StoreError(StoreErrorCode.ProposalNotFound, `Proposal ${id} is not stored.`);
      const won = !h.messageTs;
      if (won) h.messageTs = ts;
      return { won, messageTs: h.messageTs! };
    },
  };
}
