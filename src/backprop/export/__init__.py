"""Exporters: a trained network in other runtimes' formats, one module per format.

- onnx.py: ``to_onnx(net)`` / ``save_onnx(net, path)``, an ONNX graph (``pip install "backprop[onnx]"``)
"""
