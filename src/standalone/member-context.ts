// What a configuration entry keeps about each member besides its Raft id (the core stores it as an
// opaque string): where to dial it and what people call it, as `NAME@HOST:PORT`, or `HOST:PORT`
// for a member seeded from address-form --peers, whose name arrives later with its hello. Every
// node, restarted ones included, dials the members of its configuration from these.
import { ConfigError } from '../config.ts';
import { addressId, parseMemberSpec, type PeerAddress } from './config.ts';

export interface MemberContext {
  /** The member's --id, when known. */
  name: string | null;
  address: PeerAddress;
}

export function encodeMemberContext(name: string | null, address: PeerAddress): string {
  return name === null ? addressId(address) : `${name}@${addressId(address)}`;
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
