#!/usr/bin/env python3
"""Writes the reference checkpoints SparseCheckpointReferenceTest reads, in compressed-tensors' sparse layouts.

compressed-tensors (neuralmagic/compressed-tensors) needs torch, which this machine does not have, so this script
follows its compressors line by line in numpy:

  compressors/sparse_compressors/base.py         BaseSparseCompressor.compress: only the targets' ".weight"
                                                  tensors are compressed, under the name with ".weight" taken off
  compressors/sparse_compressors/sparse_bitmask.py      bitmask_compress, BitmaskTensor.dict
  compressors/sparse_compressors/sparse_24_bitmask.py   get_24_bytemasks, sparse24_bitmask_compress,
                                                        Sparse24BitMaskTensor.dict
  utils/helpers.py                                pack_bitmasks: numpy.packbits(axis=-1, bitorder="little")
  compressors/model_compressors/model_compressor.py  update_config: config.json's quantization_config

and saves with the safetensors package (the writer the library itself calls). Each layout gets a folder with
config.json and model.safetensors, and beside it the dense model the checkpoint stands for.

torch.topk breaks ties in its own way, so the 2:4 weights below have exactly two non-zeros of distinct magnitude
in every group of four: get_24_bytemasks then keeps exactly those, whoever breaks the tie.

Run from this folder: python3 make_sparse_fixtures.py   (numpy, safetensors)
"""
import json
import os

import numpy as np
from safetensors.numpy import save_file

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(12)


def pruned_24(rows, cols, dtype):
    """Dense weights with two non-zeros of distinct magnitude in every group of four along a row."""
    w = rng.uniform(0.05, 1.0, size=(rows, cols)) * rng.choice([-1.0, 1.0], size=(rows, cols))
    groups = w.reshape(-1, 4)
    for g in groups:
        g[rng.permutation(4)[:2]] = 0.0
    return groups.reshape(rows, cols).astype(dtype)


def unstructured(rows, cols, sparsity, dtype):
    """Dense weights with about `sparsity` of them zero, anywhere (test_bitmask.py's recipe)."""
    w = rng.uniform(-1.0, 1.0, size=(rows, cols)).astype(dtype)
    # +0, not w * 0: a pruned negative weight multiplied by 0 is -0, which the bitmask (tensor != 0) drops and
    # the library gives back as +0, so the dense model it stands for has +0 there
    return np.where(np.abs(w) < (1 - sparsity), w, 0).astype(dtype)


# ---- sparse_bitmask.py ------------------------------------------------------------------------------------

def bitmask_compress(tensor):
    bytemasks = tensor != 0
    row_counts = bytemasks.sum(axis=-1)
    row_offsets = np.cumsum(row_counts, 0) - row_counts
    values = tensor[bytemasks]
    bitmasks_packed = pack_bitmasks(bytemasks)
    return values, bitmasks_packed, row_offsets


def bitmask_dict(name_prefix, tensor):
    compressed, bitmask, row_offsets = bitmask_compress(tensor)
    return {
        name_prefix + ".shape": np.array(list(tensor.shape), dtype=np.int64),  # torch.tensor(list) is int64
        name_prefix + ".compressed": compressed,
        name_prefix + ".bitmask": bitmask,
        name_prefix + ".row_offsets": row_offsets.astype(np.int64),
    }


# ---- sparse_24_bitmask.py ---------------------------------------------------------------------------------

def get_24_bytemasks(tensor):
    reshaped_tensor = tensor.reshape(-1, 4)
    abs_tensor = np.abs(reshaped_tensor)
    topk_indices = np.argsort(-abs_tensor, axis=1, kind="stable")[:, :2]
    mask = np.zeros_like(reshaped_tensor, dtype=bool)
    np.put_along_axis(mask, topk_indices, True, axis=1)
    return mask.reshape(tensor.shape)


def sparse24_dict(name_prefix, tensor):
    assert tensor.ndim == 2
    bytemasks = get_24_bytemasks(tensor)
    values = tensor[bytemasks]
    num_rows, num_cols = tensor.shape
    compressed_values = values.reshape(num_rows, num_cols // 2)
    bitmasks_packed = pack_bitmasks(bytemasks)
    return {
        name_prefix + ".shape": np.array(list(tensor.shape), dtype=np.int64).reshape(-1, 1),
        name_prefix + ".compressed": compressed_values,
        name_prefix + ".bitmask": bitmasks_packed,
    }


# ---- utils/helpers.py, base.py ----------------------------------------------------------------------------

def pack_bitmasks(bytemasks):
    return np.packbits(bytemasks, axis=-1, bitorder="little")


def compress(model_state, targets, compress_weight):
    out = {}
    for name, value in model_state.items():
        if not (name.endswith(".weight") and name[: -len(".weight")] in targets):
            out[name] = value
            continue
        out.update(compress_weight(name[: -len(".weight")], value))
    return out


def config(fmt, structure, sparsity):
    return {
        "architectures": ["LlamaForCausalLM"],
        "model_type": "llama",
        "hidden_size": 12,
        "quantization_config": {
            "quant_method": "compressed-tensors",
            "version": "0.9.1",
            "sparsity_config": {
                "format": fmt,
                "global_sparsity": sparsity,
                "ignore": ["lm_head"],
                "registry_requires_subclass": False,
                "sparsity_structure": structure,
                "targets": ["Linear"],
            },
            "transform_config": {},
        },
    }


def write(name, dense, targets, compress_weight, cfg):
    folder = os.path.join(HERE, name)
    os.makedirs(folder, exist_ok=True)
    save_file(dense, os.path.join(HERE, name + "-dense.safetensors"))
    save_file(compress(dense, targets, compress_weight), os.path.join(folder, "model.safetensors"))
    with open(os.path.join(folder, "config.json"), "w") as f:
        json.dump(cfg, f, indent=2, sort_keys=True)
        f.write("\n")


def passthrough():
    return {
        "model.embed_tokens.weight": rng.uniform(-1, 1, size=(10, 12)).astype(np.float32),
        "model.norm.weight": np.ones(12, dtype=np.float32),
        "model.layers.0.mlp.down_proj.bias": rng.uniform(-1, 1, size=6).astype(np.float32),
    }


targets = {"model.layers.0.self_attn.q_proj", "model.layers.0.mlp.down_proj"}

# 12 and 20 columns: each row's bitmask ends in a part-filled byte, whose padding bits numpy leaves zero
dense_bitmask = {
    "model.layers.0.self_attn.q_proj.weight": unstructured(8, 12, 0.7, np.float32),
    "model.layers.0.mlp.down_proj.weight": unstructured(6, 20, 0.5, np.float16),
    **passthrough(),
}
dense_bitmask["model.layers.0.self_attn.q_proj.weight"][3, :] = 0  # a row with nothing kept
write("bitmask", dense_bitmask, targets, bitmask_dict, config("sparse-bitmask", "unstructured", 0.6))

dense_24 = {
    "model.layers.0.self_attn.q_proj.weight": pruned_24(8, 12, np.float32),
    "model.layers.0.mlp.down_proj.weight": pruned_24(6, 20, np.float16),
    **passthrough(),
}
write("24", dense_24, targets, sparse24_dict, config("sparse-24-bitmask", "2:4", 0.5))
