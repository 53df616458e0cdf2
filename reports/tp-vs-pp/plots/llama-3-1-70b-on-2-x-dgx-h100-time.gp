# llama-3.1-70b on 2 x dgx-h100: time per iteration at saturation (shardplan report; run `gnuplot llama-3-1-70b-on-2-x-dgx-h100-time.gp` here to redraw)
set terminal svg size 720,440 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'llama-3-1-70b-on-2-x-dgx-h100-time.svg'
set title 'llama-3.1-70b on 2 x dgx-h100: time per iteration at saturation'
set xlabel 'deployment'
set ylabel 'share of iteration time'
set datafile missing 'NaN'
set grid ytics lc rgb '#dddddd'
set key outside right top
set style data histograms
set style histogram rowstacked
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.7 relative
set yrange [0:*]
set xtics rotate by -30 left nomirror
plot 'llama-3-1-70b-on-2-x-dgx-h100-time.dat' using 2:xtic(1) lc rgb '#4e79a7' title 'compute', \
     '' using 3 lc rgb '#f28e2b' title 'memory', \
     '' using 4 lc rgb '#59a14f' title 'communication', \
     '' using 5 lc rgb '#e15759' title 'engine overhead', \
     '' using 6 lc rgb '#76b7b2' title 'PP bubble'
