from flow_script import inputs, output


def score(shard):
    raise ValueError("bad shard " + shard)


print("about to fail")
output(auc=score(inputs["shard"]))
