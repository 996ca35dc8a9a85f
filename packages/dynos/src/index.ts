export { plan, isEmptyPlan, type Plan, type DesiredApp, type StartSpec, type DynoRef, type PlanOptions } from './plan.js';
export { DynoManager, type DynoManagerOptions, type ReconcileResult } from './manager.js';
export { portAccepts, portIsFree } from './readiness.js';
export { LogShipper, type LogShipperOptions } from './log-shipper.js';
export { OneOffDynos, type OneOffDynosOptions, type OneOffSession } from './one-offs.js';
