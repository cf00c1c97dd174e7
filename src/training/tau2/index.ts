/** tau2 retail import: the dataset, the drill sandbox and its tools, and the replay outcome check. */
export { loadTau2, tasksOfSplit, parseAction, Tau2DataError } from './load.ts';
export {
  createSandbox,
  confirmWrite,
  snapshotDb,
  dbHash,
  diffSandboxes,
  describeDifference,
  canonicalJson,
} from './sandbox.ts';
export type { Tau2Sandbox, Tau2Session, Tau2SessionOptions, Tau2Difference } from './sandbox.ts';
export { runTool, TAU2_TOOL_SPECS, tau2ToolSpec } from './tools.ts';
export type {
  Tau2ToolName,
  Tau2ToolKind,
  Tau2ToolSpec,
  Tau2ParameterSpec,
  Tau2ToolResult,
  Tau2ToolCall,
  Tau2ErrorCode,
} from './tools.ts';
export { replayTask, replayTasks, goldOutcome, replaySandbox, checkAgainstGold } from './replay.ts';
export type { Tau2ReplayResult, Tau2ReplaySummary, Tau2ReplayOptions } from './replay.ts';
export { calculate, round2 } from './calculate.ts';
export type * from './types.ts';
// tasks as drills
export { Tau2Customer, sameWrite, describePaymentMethod } from './customer.ts';
export type { Tau2CustomerState, Tau2CustomerReply } from './customer.ts';
export { Tau2DrillEngine } from './drill.ts';
export type { Tau2DrillResult, Tau2OutcomeCheck, Tau2TranscriptEntry, Tau2ToolOutcome } from './drill.ts';
export { runTau2Script } from './run.ts';
export { goldScript, proposalFor } from './gold-script.ts';
export { tau2VoiceFrom, tau2VoiceFromEnv, tau2SystemPrompt } from './llm-customer.ts';
export type { Tau2Voice } from './llm-customer.ts';
export { TAU2_PREFIX, isTau2ScenarioId, tau2Dataset, tau2Task, tau2Summary, tau2PublicScenario, TAU2_TOOL_INFOS } from './source.ts';
