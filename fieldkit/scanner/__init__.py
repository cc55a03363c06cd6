"""The document scanner: from a photograph or a live camera to a sharp, small PDF (no Qt here).

- `detect.PageDetector`: the page's four corners in a frame, with a confidence, or None;
- `session.CaptureSession`: a live scan (smoothed outline, auto-capture when still and sharp, manual capture,
  the pages kept in a `pages.PageList` even when the camera fails);
- `pages.ScannedPage`: one page (its photo and movable corners) rendered flat, in colour, grey or
  black-and-white, upright (`warp`, `enhance`, `paper`);
- `pdf.build_pdf`: pages to one PDF within the size limit; `document`: what the command line uses.
"""
