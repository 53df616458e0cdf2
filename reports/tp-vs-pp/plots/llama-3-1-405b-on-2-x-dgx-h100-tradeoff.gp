# llama-3.1-405b on 2 x dgx-h100: throughput at saturation vs single-request latency (shardplan report; run `gnuplot llama-3-1-405b-on-2-x-dgx-h100-tradeoff.gp` here to redraw)
set terminal svg size 720,440 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'llama-3-1-405b-on-2-x-dgx-h100-tradeoff.svg'
set title 'llama-3.1-405b on 2 x dgx-h100: throughput at saturation vs single-request latency'
set xlabel 'batch-1 end-to-end latency (ms)'
set ylabel 'output tokens/s per GPU at saturation'
set datafile missing 'NaN'
set grid ytics lc rgb '#dddddd'
set key outside right top
plot 'llama-3-1-405b-on-2-x-dgx-h100-tradeoff.dat' index 0 using 1:2 with points pt 7 ps 1.1 lc rgb '#4e79a7' title 'candidates', \
     '' index 0 using 1:2:3 with labels left offset char 0.6,0.6 font ',9' notitle, \
     '' index 1 using 1:2 with linespoints lw 2 pt 7 ps 1.1 lc rgb '#f28e2b' title 'Pareto front', \
     '' index 2 using 1:2 with points pt 7 ps 1.1 lc rgb '#59a14f' title 'recommended'
