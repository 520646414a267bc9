package jobs

import (
	"context"

	"seance/app/mail"
)

// MailDelivery sends the e-mails queued in the outbox, with retries and back-off
// (mail.Mailer.Deliver).
type MailDelivery struct {
	Mailer *mail.Mailer
}

// Name names the job.
func (j *MailDelivery) Name() string { return "mail" }

// Run sends the due copies; the items are the copies sent or given up.
func (j *MailDelivery) Run(ctx context.Context) error {
	rep, err := j.Mailer.Deliver(ctx)
	Handled(ctx, rep.Sent+rep.Failed)
	return err
}
