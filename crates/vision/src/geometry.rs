//! Points and quadrilaterals in frame pixels.

#[derive(Debug, Clone, Copy, PartialEq, Default)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct Point {
    pub x: f32,
    pub y: f32,
}

impl Point {
    pub fn new(x: f32, y: f32) -> Self {
        Point { x, y }
    }

    pub fn scale(self, k: f32) -> Point {
        Point::new(self.x * k, self.y * k)
    }

    pub fn dot(self, o: Point) -> f32 {
        self.x * o.x + self.y * o.y
    }

    pub fn len(self) -> f32 {
        self.dot(self).sqrt()
    }
}

impl std::ops::Add for Point {
    type Output = Point;
    fn add(self, o: Point) -> Point {
        Point::new(self.x + o.x, self.y + o.y)
    }
}

impl std::ops::Sub for Point {
    type Output = Point;
    fn sub(self, o: Point) -> Point {
        Point::new(self.x - o.x, self.y - o.y)
    }
}

/// Four corners, clockwise from the top-left of the content (not of the frame).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Quad(pub [Point; 4]);

impl Quad {
    /// Whether `p` lies inside (for a convex quad in either winding).
    pub fn contains(&self, p: Point) -> bool {
        let mut sign = 0.0f32;
        for i in 0..4 {
            let a = self.0[i];
            let b = self.0[(i + 1) % 4];
            let cross = (b.x - a.x) * (p.y - a.y) - (b.y - a.y) * (p.x - a.x);
            if cross != 0.0 {
                if sign == 0.0 {
                    sign = cross.signum();
                } else if cross.signum() != sign {
                    return false;
                }
            }
        }
        true
    }

    pub fn as_arrays(&self) -> [[f32; 2]; 4] {
        self.0.map(|p| [p.x, p.y])
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Quad {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.as_arrays().serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contains_inside_not_outside() {
        let q = Quad([
            Point::new(0.0, 0.0),
            Point::new(10.0, 1.0),
            Point::new(9.0, 5.0),
            Point::new(-1.0, 4.0),
        ]);
        assert!(q.contains(Point::new(5.0, 2.5)));
        assert!(!q.contains(Point::new(5.0, 7.0)));
        assert!(!q.contains(Point::new(-3.0, 2.0)));
    }
}
