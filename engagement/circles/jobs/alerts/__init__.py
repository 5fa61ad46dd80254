"""Job alerts: members choose the openings they want by e-mail (skills, places, remote policy, how often);
jobs that open and match are written as due alerts, and a periodic task e-mails them (see docs/jobs.md)."""
