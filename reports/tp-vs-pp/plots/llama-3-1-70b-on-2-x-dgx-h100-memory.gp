# llama-3.1-70b on 2 x dgx-h100: memory on the fullest GPU (shardplan report; run `gnuplot llama-3-1-70b-on-2-x-dgx-h100-memory.gp` here to redraw)
set terminal svg size 720,440 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'llama-3-1-70b-on-2-x-dgx-h100-memory.svg'
set title 'llama-3.1-70b on 2 x dgx-h100: memory on the fullest GPU'
set xlabel 'deployment'
set ylabel 'GiB on the fullest GPU'
set datafile missing 'NaN'
set grid ytics lc rgb '#dddddd'
set key outside right top
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.7 relative
set yrange [0:*]
set xtics rotate by -30 left nomirror
plot 'llama-3-1-70b-on-2-x-dgx-h100-memory.dat' using 2:xtic(1) lc rgb '#4e79a7' title 'weights', \
     '' using 3 lc rgb '#f28e2b' title 'activations', \
     '' using 4 lc rgb '#59a14f' title 'overhead', \
     '' using 5 lc rgb '#e15759' title 'KV cache', \
     '' using 0:6 with points pt 9 ps 1.6 lc rgb '#000000' title 'capacity'
