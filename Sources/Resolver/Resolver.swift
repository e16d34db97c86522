// The packaging model (PEP 440, 503, 508, 425/600/656, 427) and resolution; model folders do no I/O.
