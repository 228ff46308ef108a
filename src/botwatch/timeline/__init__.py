"""When: campaign timelines, bursts at key events, account-creation waves, circadian origin and
lead-lag impact tests. Each module does one job; `stages` wires them into `botwatch analyze`."""
