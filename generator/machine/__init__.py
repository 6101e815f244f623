"""Machines: what this machine is, without personal data (`detect`, `privacy`), and which machine and
hardware class a recorded run belongs to (`identity`)."""
