"""The supervisor's hub: enrolment of team kits, collecting (network and USB bundles), review, forwarding."""
