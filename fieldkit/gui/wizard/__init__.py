"""The new-dossier wizard: procedure, citizen, declaration, documents, consent and review."""
