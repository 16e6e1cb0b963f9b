"""Diffusion-based domain extension for domain-generalized semantic segmentation

Modules:

- `didex.convert`: `didex convert`: write a trainId label beside every raw label, and the class statistics that rare class sampling needs.
- `didex.datasets`: Readers for GTA5, SYNTHIA, Cityscapes, BDD100k, Mapillary Vistas, ACDC and a generated pseudo-target folder, each in its real on-disk layout, and the conversion of every raw label to trainIds."""

__version__ = "0.0.1"
