//! Published tables count groups of at least k people: a count of 1 to k−1 is held back
//! (shown as `< k`), and further cells are held back until no line of the table, with its
//! total, has exactly one hidden count, so that none can be worked out by subtraction.

/// The smallest k an operator may set; below it a figure points at a person too easily.
pub const MIN_K: i64 = 3;

/// A table of counts with the totals of its rows and columns, as it will be published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Protected {
    /// `None` where the count is held back.
    pub cells: Vec<Vec<Option<i64>>>,
    pub row_totals: Vec<Option<i64>>,
    pub column_totals: Vec<Option<i64>>,
}

/// Protects `cells` (rows × columns) published with their row and column totals and a
/// grand total (which is published elsewhere and always shown). Zero counts are shown: they
/// are not a person, and hiding them alone would protect nothing.
///
/// Primary suppression hides every count from 1 to k−1 (totals included). Complementary
/// suppression then looks at every row and column together with its total: where exactly one
/// value of that line is hidden, the line's sum and its other values would give it away, so
/// another value is hidden too: preferably one that also pairs a hidden value in its
/// crossing line, and the smallest non-zero one among equals. It repeats until every line
/// has no hidden value or at least two.
pub fn protect(cells: &[Vec<i64>], row_totals: &[i64], column_totals: &[i64], k: i64) -> Protected {
    let k = k.max(MIN_K);
    let rows = cells.len();
    let columns = column_totals.len();
    // The grid with its margins: row `rows` holds the column totals, column `columns` the
    // row totals; the corner is the grand total.
    let mut value = vec![vec![0i64; columns + 1]; rows + 1];
    for (i, row) in cells.iter().enumerate() {
        for (j, count) in row.iter().enumerate().take(columns) {
            value[i][j] = *count;
        }
        value[i][columns] = row_totals.get(i).copied().unwrap_or(0);
    }
    for (j, total) in column_totals.iter().enumerate() {
        value[rows][j] = *total;
    }
    let corner = (rows, columns);
    let mut hidden: Vec<Vec<bool>> = value
        .iter()
        .enumerate()
        .map(|(i, row)| {
            row.iter()
                .enumerate()
                .map(|(j, v)| (i, j) != corner && *v > 0 && *v < k)
                .collect()
        })
        .collect();
    let row_of = |i: usize| (0..=columns).map(move |j| (i, j));
    let column_of = |j: usize| (0..=rows).map(move |i| (i, j));
    loop {
        let mut changed = false;
        let lines: Vec<(bool, Vec<(usize, usize)>)> = (0..=rows)
            .map(|i| (true, row_of(i).collect()))
            .chain((0..=columns).map(|j| (false, column_of(j).collect())))
            .collect();
        for (is_row, line) in lines {
            let hidden_here = line.iter().filter(|(i, j)| hidden[*i][*j]).count();
            if hidden_here != 1 {
                continue;
            }
            // The partner to hide: best one that also gives the crossing line its second
            // hidden value, else one whose crossing line has two already (no new single),
            // else any; among equals the smallest non-zero count, which loses least.
            let crossing_hidden = |&(i, j): &(usize, usize)| -> usize {
                let crossing: Vec<(usize, usize)> = if is_row {
                    column_of(j).collect()
                } else {
                    row_of(i).collect()
                };
                crossing.iter().filter(|(a, b)| hidden[*a][*b]).count()
            };
            let rank = |cell: &(usize, usize)| {
                let preference = match crossing_hidden(cell) {
                    1 => 0,
                    0 => 2,
                    _ => 1,
                };
                let v = value[cell.0][cell.1];
                (preference, v == 0, v)
            };
            let pick = line
                .iter()
                .filter(|&&(i, j)| !hidden[i][j] && (i, j) != corner)
                .min_by_key(|cell| rank(cell));
            if let Some(&(i, j)) = pick {
                hidden[i][j] = true;
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    let shown = |i: usize, j: usize| (!hidden[i][j]).then_some(value[i][j]);
    Protected {
        cells: (0..rows)
            .map(|i| (0..columns).map(|j| shown(i, j)).collect())
            .collect(),
        row_totals: (0..rows).map(|i| shown(i, columns)).collect(),
        column_totals: (0..columns).map(|j| shown(rows, j)).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every row and column with its total has no hidden value or at least two.
    fn no_line_gives_one_away(p: &Protected) {
        let rows = p.cells.len();
        let columns = p.column_totals.len();
        for i in 0..rows {
            let mut line: Vec<Option<i64>> = p.cells[i].clone();
            line.push(p.row_totals[i]);
            assert_ne!(
                line.iter().filter(|c| c.is_none()).count(),
                1,
                "row {i}: {p:?}"
            );
        }
        for j in 0..columns {
            let mut line: Vec<Option<i64>> = p.cells.iter().map(|r| r[j]).collect();
            line.push(p.column_totals[j]);
            assert_ne!(
                line.iter().filter(|c| c.is_none()).count(),
                1,
                "column {j}: {p:?}"
            );
        }
    }

    #[test]
    fn a_cell_of_four_is_hidden_and_the_totals_do_not_reveal_it() {
        // Age bands × answers (yes / no): 30s answered yes 4 times.
        let cells = vec![vec![12, 9], vec![4, 11], vec![20, 15]];
        let rows = [21, 15, 35];
        let columns = [36, 35];
        let p = protect(&cells, &rows, &columns, 5);
        assert_eq!(p.cells[1][0], None);
        no_line_gives_one_away(&p);
        // Each hidden value has a partner in its row and in its column.
        let hidden: usize = p.cells.iter().flatten().filter(|c| c.is_none()).count()
            + p.row_totals.iter().filter(|c| c.is_none()).count()
            + p.column_totals.iter().filter(|c| c.is_none()).count();
        assert!(hidden >= 4, "{p:?}");
        assert_eq!(p.column_totals, [Some(36), Some(35)]);
    }

    #[test]
    fn large_counts_and_zeros_are_shown() {
        let cells = vec![vec![12, 0], vec![5, 7]];
        let p = protect(&cells, &[12, 12], &[17, 7], 5);
        assert_eq!(
            p.cells,
            vec![vec![Some(12), Some(0)], vec![Some(5), Some(7)]]
        );
        assert_eq!(p.row_totals, [Some(12), Some(12)]);
    }

    #[test]
    fn a_small_group_is_hidden_with_its_counts() {
        // A group of 2 people: its total and both its counts are held back, and so is
        // enough of another group that the column totals do not give them away.
        let cells = vec![vec![1, 1], vec![10, 8], vec![6, 9]];
        let p = protect(&cells, &[2, 18, 15], &[17, 18], 5);
        assert_eq!(p.row_totals[0], None);
        assert_eq!(p.cells[0], vec![None, None]);
        no_line_gives_one_away(&p);
    }

    #[test]
    fn k_is_never_below_three() {
        let p = protect(&[vec![2, 10]], &[12], &[2, 10], 1);
        assert_eq!(p.cells[0][0], None);
        no_line_gives_one_away(&p);
    }
}
