// A model near the 200,000-node limit from a small file: `n` resnet50s summed (846 make 148,896
// nodes in 34 KB). The bench (scale) and the hostile-input audit both measure it.
export function manyResnets(n: number): string {
  return [
    'use "std/resnet"',
    'block r50(x) {',
    '  x = x |> conv(64, 7, stride=2, pad=3, bias=false) |> bn |> relu |> maxpool(3, stride=2, pad=1)',
    '  x = x |> stage(bottleneck, 64, blocks=3, name="layer1") |> stage(bottleneck, 128, blocks=4, stride=2, name="layer2")',
    '  x = x |> stage(bottleneck, 256, blocks=6, stride=2, name="layer3") |> stage(bottleneck, 512, blocks=3, stride=2, name="layer4")',
    '  return x |> global_avgpool |> flatten |> dense(1000, name="fc")',
    '}',
    'model many {',
    '  input image: [3, 224, 224]',
    '  y0 = r50(image, name="n0")',
    ...Array.from({ length: n - 1 }, (_, i) => `  y${i + 1} = y${i} + r50(image, name="n${i + 1}")`),
    `  output logits = y${n - 1}`,
    '}',
    '',
  ].join('\n');
}
