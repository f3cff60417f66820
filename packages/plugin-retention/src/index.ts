export {
  type KeepReason,
  planRetention,
  type RetentionCandidate,
  type RetentionPlan,
} from './retention-plan.js';
