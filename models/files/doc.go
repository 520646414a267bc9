// Package files holds the individual files (dossiers) and the parcours de sortie:
// the persons (sealed identities), a file's state machine and events, who may see a
// file (access, grants, declared interests and the exclusions they give), its
// attachments, the parcours with their periods, the 24-month cap and the AFIS.
package files
