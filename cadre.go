// Package cadre holds the domain of an ambassador program: members and their
// identities on community platforms, the activities they are credited with, and
// the audit log. It knows nothing of SQL or HTTP; storage, transport, importers
// and the command line are packages around it.
package cadre
