"""Diffusion-based domain extension for domain-generalized semantic segmentation

Modules:

- `didex.convert`: `didex convert`: write a trainId label beside every raw label, and the class statistics that rare class sampling needs.
- `didex.data`: fastai `DataLoaders` for unsupervised domain adaptation: a labelled source crop and an unlabelled target crop per sample, the published source pipeline with rare class sampling, and a validation loader.
- `didex.datasets`: Readers for GTA5, SYNTHIA, Cityscapes, BDD100k, Mapillary Vistas, ACDC and a generated pseudo-target folder, each in its real on-disk layout, and the conversion of every raw label to trainIds.
- `didex.demo`: `didex demo`: the whole DIDEX loop on ToyCity, on a laptop CPU in minutes — world, prompts, domain extension, adaptation, evaluation on held-out domains — through the same code as the real run.
- `didex.evaluate`: Domain-generalization results that agree with the official Cityscapes evaluator: whole-image and sliding-window inference, the results table and its figures, `didex evaluate` and `didex predict`.
- `didex.foundation`: DINOv2 and EVA02 ViT-L encoders from timm under DAFormer's decoder: intermediate blocks made into a 1/4 … 1/32 pyramid by a simple feature pyramid neck, and three ways to train the encoder (frozen, fully fine-tuned with layer-wise lr decay, LoRA adapters), with an EMA teacher that shares what does not train.
- `didex.generate`: Domain extension: run a prompt manifest through a diffusion model with the published recipe, in batches, across GPUs, resumably. `didex generate`.
- `didex.models`: The segmentation networks DIDEX adapts: DeepLabV2 (ResNet-101) and DAFormer (MiT-B5), with small variants for CPU work, ImageNet weights through timm and the Hugging Face hub, and a safe weights format.
- `didex.prompts`: The prompt vocabulary and the six published recipes of DIDEX's domain extension, the uniform-class histogram, per-image seeds, and `didex prompts`.
- `didex.testing`: Tiny, offline stand-ins that the notebooks and the tests share: dataset fixtures, a segmentation network, synthetic UDA loaders, a CLIP tokenizer and a depth-to-image pipeline, and the plain confusion matrix.
- `didex.toycity`: A procedural street world with exact labels: a game-like source domain, real-like held-out target domains, and a prompt-driven renderer that plays the diffusion model's part in DIDEX."""

__version__ = "0.0.1"
