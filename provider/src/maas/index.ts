/** MAAS API 2.0 client: no Pulumi in here. */
export * from "./errors";
export * from "./status";
export * from "./schemas";
export * from "./sizes";
export * from "./auth";
export * from "./backoff";
export { HttpTransport, Limiter, encodeParams, mapHttpError, statusFromMessage, ClosedError } from "./transport";
export type { Params, ParamValue, HttpMethod, RawResponse, VerifyResult, RequestSpec, RetryInfo, TransportOptions } from "./transport";
export * from "./watcher";
export * from "./client";
export * from "./rights";
export { failureEventText } from "./failure-event";
