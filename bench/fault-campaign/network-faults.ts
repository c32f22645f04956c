// Grudges (receiver -> senders it drops, the Maelstrom nemesis's form) made real with iptables in
// the receivers' namespaces, on the peer interface only (clients are never partitioned).
//
// TCP needs both directions, so dropping every packet from S at R would cut R -> S too. A link cut
// one way (R drops S, S does not drop R) therefore drops only S's packets that carry data (IP length
// above 60 bytes: a SYN or SYN-ACK with all of Linux's options is 60, a bare ACK 52): connections
// in both directions still open and R's data reaches S and is acknowledged, but nothing S writes
// reaches R. Which is what "one way" means to the messages. A link cut both ways drops everything.
import type { Grudge } from '../../maelstrom/nemesis/partition-shapes.ts';
import { iptablesIn, type NamespaceLab } from '../../test/standalone/support/netns.ts';

export function applyGrudge(lab: NamespaceLab, grudge: Grudge): void {
  for (const [receiver, senders] of grudge) {
    for (const sender of senders) {
      const bothWays = grudge.get(sender)?.has(receiver) === true;
      const source = lab.peerAddress(Number(sender));
      const dataOnly = bothWays ? [] : ['-p', 'tcp', '-m', 'length', '--length', '61:65535'];
      iptablesIn(lab.ns(Number(receiver)), '-A', 'INPUT', '-i', 'peer0', '-s', source, ...dataOnly, '-j', 'DROP');
    }
  }
}

export function healNetwork(lab: NamespaceLab): void {
  for (let i = 1; i <= lab.size; i++) iptablesIn(lab.ns(i), '-F', 'INPUT');
}
