// The in-memory ProposalStore (CLI, tests) passes the same contract as the Redis one.
import { createMemoryProposalStore } from '../../../src/workflow/memory-proposal-store.js';
import { proposalStoreContract } from '../../contract/proposal-store-contract.js';

proposalStoreContract('in memory', createMemoryProposalStore);
