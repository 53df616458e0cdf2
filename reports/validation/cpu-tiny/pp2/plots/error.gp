# Prediction error (predicted - measured) / measured (shardplan report; run `gnuplot error.gp` here to redraw)
set terminal svg size 832,440 dynamic noenhanced font 'sans,11' background rgb 'white'
set output 'error.svg'
set title 'Prediction error (predicted - measured) / measured'
set xlabel 'metric'
set ylabel '|error| %'
set datafile missing 'NaN'
set grid ytics lc rgb '#dddddd'
set key outside right top
set style data histograms
set style histogram clustered gap 1
set style fill solid 0.85 border rgb '#333333'
set boxwidth 0.7 relative
set yrange [0:*]
set xtics rotate by -30 left nomirror
plot 'error.dat' using 2:xtic(1) lc rgb '#4e79a7' title 'error %'
