/**
 * MAAS's answers when it has no address to give (StaticIPAddressExhaustion, api_error 503), as raised in
 * canonical/maas 3.0 to 3.7: models/subnet.py ("No more IPs available in subnet: <cidr>."),
 * api/nodes.py power_on ("<system_id>: Unable to allocate static IP due to address exhaustion.") and
 * models/node.py ("Failed to allocate the required AUTO IP addresses"). Other 503s (no rack
 * connection, power problems, the middleware's own with Retry-After) are transient.
 */
import { ErrorContext, IpExhaustedError } from "./errors";

const SUBNET_TEXT = /No more IPs available in subnet: ?([^\s]+?)\.?$/i;
const OTHER_TEXTS = [/Unable to allocate static IP due to address exhaustion/i, /Failed to allocate the required AUTO IP addresses/i];

/** The IpExhaustedError for a 503 body that reports exhaustion; undefined for any other 503. */
export function ipExhaustion(ctx: ErrorContext, status: number, msg: string): IpExhaustedError | undefined {
  if (status !== 503) return undefined;
  const m = SUBNET_TEXT.exec(msg.trim());
  if (!m && !OTHER_TEXTS.some((re) => re.test(msg))) return undefined;
  const cidr = m?.[1];
  const where = cidr ? `subnet ${cidr}` : "the machine's subnets";
  const detail = `no free IP address in ${where} (MAAS 503: ${msg}); not retried: free addresses or widen the subnet's ranges, then run again`;
  return new IpExhaustedError(ctx, detail, { httpStatus: status, maasMessage: msg, ...(cidr ? { subnetCidr: cidr } : {}) });
}
