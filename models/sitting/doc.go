// Package sitting holds a séance while it is held: presence and quorum, recusals,
// votes and ballots (in the room and online), the tally with the casting vote, the
// avis with its reasoning and the dissents, and the written electronic deliberation
// with the job steps that open and close it.
package sitting
