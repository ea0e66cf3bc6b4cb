"""Data sets, each split 70/30 into training and test sets the same way.

- synthetic.py: the seed's two moons (the default), circles, xor, spirals, gaussian blobs
- regression.py: a plane and a sum of gaussians (real-valued targets)
- bundled.py: scikit-learn's bundled digits, iris, wine and breast cancer (no download)
- files.py: ``from_csv(path, target=...)``, other people's tables
- split.py: the ``Dataset`` record and the split

``DATASETS`` names every set the command line's ``--dataset`` offers; ``from_spec`` makes again the
set a model file describes (its sizes checked before anything is made).
"""
from __future__ import annotations

from .bundled import breast_cancer, digits, iris, wine
from .files import from_csv
from .regression import gaussians, plane
from .split import Dataset, split
from .synthetic import MAX_SAMPLES, blobs, check_size, circles, make_moons, moons, spirals, xor

DATASETS = {
    "moons": moons, "circles": circles, "xor": xor, "spirals": spirals, "blobs": blobs,
    "digits": digits, "iris": iris, "wine": wine, "breast_cancer": breast_cancer,
    "plane": plane, "gaussians": gaussians,
}
REGRESSION_SETS = ("plane", "gaussians")  # the named sets whose targets are real values
MAKERS = {**DATASETS, "csv": from_csv}  # what a spec may name

__all__ = ["Dataset", "DATASETS", "REGRESSION_SETS", "MAX_SAMPLES", "from_spec", "from_csv", "split", "check_size",
           "make_moons", *DATASETS]


def from_spec(spec: dict) -> Dataset:
    """Make the data set a ``Dataset.spec`` describes; ValueError if it names none we know."""
    if not isinstance(spec, dict) or spec.get("name") not in MAKERS:
        raise ValueError(f"dataset must name one of {sorted(MAKERS)}. Received: dataset={spec!r}")
    params = {k: v for k, v in spec.items() if k != "name"}
    try:
        return MAKERS[spec["name"]](**params)
    except TypeError as err:
        raise ValueError(f"dataset {spec['name']!r} does not take these arguments: {params!r} ({err})") from None
