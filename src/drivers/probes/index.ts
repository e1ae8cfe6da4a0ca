export { CommandProbe, type CommandProbeConfig } from './command.js';
export type { CheckOutcome } from './common.js';
export { HttpProbe, type HttpProbeConfig, probeUrl } from './http.js';
export { TcpProbe, type TcpProbeConfig } from './tcp.js';
