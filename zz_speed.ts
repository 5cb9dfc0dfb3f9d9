import { readFile } from 'node:fs/promises';
import { StreamingDecoder, parseWav } from './server/providers/local/index.ts';
import { wordErrorRate } from './tests/helpers/speech.ts';
import { speechWav } from './tests/bench/lib/fixtures.ts';
const SENTENCES = [
  'The quick brown fox jumps over the lazy dog.', 'Please call the office before noon on Monday.', 'We will meet at the station at half past seven.',
  'The weather today is cold and windy with some rain.', 'She opened the window and looked at the garden.', 'Our team finished the project two weeks early.',
  'He bought three apples and a loaf of bread.', 'The train to the city leaves every twenty minutes.', 'Remember to turn off the lights when you leave.',
  'The children played in the park all afternoon.', 'I would like a cup of coffee with milk please.', 'The meeting has been moved to the large room upstairs.',
  'They drove along the coast for most of the day.', 'This book tells the story of a small fishing town.', 'The doctor said that he should rest for a week.',
  'Write your name at the top of the first page.', 'The museum is open from ten in the morning until six.', 'We need more paper for the printer in the hall.',
  'The river was high after the storm last night.', 'Thank you for waiting, your table is ready now.'];
const pcm = parseWav(await readFile('/tmp/parlance-bench/speech-base.wav')).data;
for (const args of [{}, { '-ds': '2' }, { '-topn': '2' }, { '-maxhmmpf': '3000', '-maxwpf': '10' }, { '-ds': '2', '-topn': '2', '-maxhmmpf': '3000', '-maxwpf': '10' }] as Record<string,string>[]) {
  const d = await StreamingDecoder.open({ library: 'libpocketsphinx.so.3', modelDir: '/usr/share/pocketsphinx/model/en-us', decoderArgs: args });
  const texts: string[] = [];
  d.on('final', (s) => texts.push(s.text));
  const t0 = performance.now(); const c0 = process.cpuUsage();
  for (let i = 0; i < pcm.length; i += 16000) d.write(pcm.subarray(i, i + 16000));
  await d.end();
  const ms = performance.now() - t0;
  console.log(JSON.stringify(args), 'wall', ms.toFixed(0), 'RTF', (ms / 1000 / (pcm.length / 32000)).toFixed(3), 'WER', wordErrorRate(SENTENCES.join(' '), texts.join(' ')).toFixed(3));
}
