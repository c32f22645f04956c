// What a configuration entry keeps about each member besides its Raft id (the core stores it as an
// opaque string): where to dial it, `HOST:PORT`, its peer address. Every node, restarted ones
// included, dials the members of its configuration from these. (A member's --id arrives with its
// hello; `NAME@HOST:PORT` is read too, should a context ever carry the name.)
import { ConfigError } from '../config.ts';
import { addressId, parseMemberSpec, type PeerAddress } from './config.ts';

export interface MemberContext {
  /** The member's --id, when known. */
  name: string | null;
  address: PeerAddress;
}

export function encodeMemberContext(address: PeerAddress): string {
  return addressId(address);
}

/** The context of a member, or null if it is not one this adapter wrote (then it cannot be dialled). */
export function decodeMemberContext(context: string): MemberContext | null {
  try {
    const { named, member } = parseMemberSpec(context, '127.0.0.1');
    return { name: named ? member.raftId : null, address: member.address };
  } catch (err) {
    if (err instanceof ConfigError) return null;
    throw err;
  }
}
