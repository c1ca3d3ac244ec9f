"""Knowledge: the peer knowledge base built from other organisations' published registers (``kb``)."""
