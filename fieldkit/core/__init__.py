"""The pure domain: models, catalog, CCCD rules, dossier workflow, errors. No Qt, cv2, requests or sqlite."""
